"""What a typed client does with each example (tests/typed_client.py checks each answer).

One scenario per document of ``typed_client.documents()``, by package name: create,
get, list, update and delete each table; read a cached answer twice (MISS, then
HIT); and answer each error status the document can produce through its client:
404 (a key no row has), 409 (a unique value taken, a row still referred to), 422 (a
body the server refuses) and 501 (an operation whose hook is unwritten); and the
statuses an OpenAPI document leaves out, which the routes publish: 304, 412 (of a
read and of a write), 413, 415.
"""

from __future__ import annotations

from collections.abc import Callable

from .typed_client import TypedClient

ALICE = {"authorization": "Bearer alice"}
MISSING = 10**6  # no row has this key
GZIPPED = {"content-encoding": "gzip"}  # what no route decodes: 415


def cached_twice(client: TypedClient, path: str, /, **arguments: object) -> object:
    """GET ``path`` twice: answered by the route, then by the cache, the same."""
    first = client.call("get", path, 200, **arguments)
    again = client.call("get", path, 200, **arguments)
    assert (first.headers["x-cache"], again.headers["x-cache"]) == ("MISS", "HIT")
    assert again.content == first.content
    return first.parsed


def bookstore(client: TypedClient) -> None:
    author_path, book_path = "/authors/{author_id}", "/books/{book_id}"
    ann = client.call("post", "/authors", 201, json_body={"name": "Ann"}).parsed
    assert (ann.name, ann.bio) == ("Ann", None)
    assert cached_twice(client, author_path, author_id=ann.id) == ann
    listed = client.call("get", "/authors", 200, count=True).parsed
    assert ([a.id for a in listed.items], listed.total) == ([ann.id], 1)
    patched = client.call(
        "patch", author_path, 200, author_id=ann.id, json_body={"bio": "Poet"}
    ).parsed
    assert (patched.name, patched.bio) == ("Ann", "Poet")
    put = client.call(
        "put", author_path, 200, author_id=ann.id, json_body={"name": "Anna"}
    ).parsed
    assert (put.name, put.bio) == ("Anna", "Poet")
    assert cached_twice(client, author_path, author_id=ann.id) == put

    book = {"title": "T", "isbn": "1", "price": "12.50", "author_id": ann.id}
    created = client.call("post", "/books", 201, json_body=book).parsed
    assert (created.price, created.published_on) == ("12.5000", None)
    assert cached_twice(client, book_path, book_id=created.id) == created
    books = client.call("get", "/books", 200, expand=["author"]).parsed
    assert [(b.id, b.author.name) for b in books.items] == [(created.id, "Anna")]
    stats = "/authors/{author_id}/stats"
    counts = cached_twice(client, stats, author_id=ann.id)
    assert (counts.book_count, counts.average_price) == (1, "12.5000")
    changed = client.call(
        "patch", book_path, 200, book_id=created.id, json_body={"price": 3}
    ).parsed
    assert changed.price == "3.0000"
    assert client.call("post", "/admin/reindex", 202).parsed.status == "accepted"

    # 409: a unique value taken (on create and on update), a row still referred to.
    other = client.call("post", "/books", 201, json_body={**book, "isbn": "2"}).parsed
    # The list's default query is stored on its first miss (any other query on
    # its second); a page of one, then the next by its cursor; a filter.
    assert [b.isbn for b in cached_twice(client, "/books").items] == ["1", "2"]
    page = {"limit": 1, "sort": ["-isbn"]}
    first = client.call("get", "/books", 200, **page).parsed
    assert [b.isbn for b in first.items] == ["2"]
    after = client.call("get", "/books", 200, **page, cursor=first.next_cursor)
    assert ([b.isbn for b in after.parsed.items], after.parsed.next_cursor) == (
        ["1"],
        None,
    )
    # A cursor continues only the list that wrote it (same query, another table).
    of_books = client.call("get", "/books", 200, limit=1).parsed.next_cursor
    client.call("get", "/authors", 422, cursor=of_books)
    chosen = client.call("get", "/books", 200, isbn_in=["1"], author_id=ann.id)
    assert [b.id for b in chosen.parsed.items] == [created.id]
    client.call("post", "/books", 409, json_body=book)
    client.call("put", book_path, 409, book_id=other.id, json_body={"isbn": "1"})
    client.call("delete", author_path, 409, author_id=ann.id)
    # 404: no row has the key (an aggregate's too: no such author).
    for method in ("get", "delete"):
        client.call(method, author_path, 404, author_id=MISSING)
        client.call(method, book_path, 404, book_id=MISSING)
    for method in ("put", "patch"):
        client.call(method, author_path, 404, author_id=MISSING, json_body={})
    client.call("get", stats, 404, author_id=MISSING)
    # 412: If-Match naming no current version; 304: If-None-Match naming the
    # current one (no body). On a read by key, a list and an aggregate, all cached.
    stale = {"if-match": '"stale"'}
    reads = [
        (book_path, {"book_id": created.id}),
        ("/books", {}),
        (stats, {"author_id": ann.id}),
    ]
    for path, keys in reads:
        client.call("get", path, 412, headers=stale, **keys)
        etag = client.call("get", path, 200, **keys).headers["etag"]
        client.call("get", path, 304, headers={"if-none-match": etag}, **keys)
    # 422: bodies and queries the server refuses.
    client.call("post", "/authors", 422, json_body={"name": "x" * 121})
    client.call("patch", author_path, 422, author_id=ann.id, json_body={"name": None})
    client.call("post", "/books", 422, json_body={**book, "price": "1.23456"})
    client.call("post", "/books", 422, json_body={**book, "author_id": MISSING})
    client.call("get", "/authors", 422, limit=0)

    for row in (created, other):
        client.call("delete", book_path, 204, book_id=row.id)
    client.call("delete", author_path, 204, author_id=ann.id)
    gone = client.call("get", author_path, 404, author_id=ann.id)
    assert gone.headers.get("x-cache") != "HIT"


def petstore(client: TypedClient) -> None:
    pet_path = "/pets/{id}"
    rex = client.call("post", "/pets", 200, json_body={"name": "Rex", "tag": "dog"})
    rex = rex.parsed
    assert (rex.name, rex.tag) == ("Rex", "dog")
    tom = client.call("post", "/pets", 200, json_body={"name": "Tom"}).parsed
    assert cached_twice(client, pet_path, id=rex.id) == rex
    assert cached_twice(client, "/pets") == [rex, tom]
    assert cached_twice(client, "/pets", tags=["dog"], limit=5) == [rex]
    client.call("delete", pet_path, 204, id=tom.id)
    assert client.call("get", "/pets", 200).parsed == [rex]
    # 304: If-None-Match naming the cached answer's ETag, published though the
    # document lists no 304 (its `default` is an error body, which a 304 has not).
    etag = client.call("get", pet_path, 200, id=rex.id).headers["etag"]
    client.call("get", pet_path, 304, headers={"if-none-match": etag}, id=rex.id)
    client.call("delete", pet_path, 412, headers={"if-match": '"stale"'}, id=rex.id)
    # 404: no pet has the key (the document's `default` response is Error).
    client.call("get", pet_path, 404, id=tom.id)
    client.call("delete", pet_path, 404, id=MISSING)
    # 422: a name that is no string.
    client.call("post", "/pets", 422, json_body={"name": 7})


def store(client: TypedClient) -> None:
    pet_path, order_path = "/pets/{id}", "/orders/{id}"
    chip = {"name": "Rex", "tag": "dog", "microchip": "985141000123456"}
    rex = client.call("post", "/pets", 201, json_body=chip).parsed
    assert (rex.name, rex.tag) == ("Rex", "dog")
    assert cached_twice(client, pet_path, id=rex.id) == rex
    assert cached_twice(client, "/pets", tag="dog") == [rex]
    order = {"pet_id": rex.id, "quantity": 2, "ship_date": "2026-01-10T10:00:00Z"}
    placed = client.call("post", "/orders", 201, headers=ALICE, json_body=order)
    placed = placed.parsed
    assert (placed.status, placed.quantity) == ("placed", 2)
    assert cached_twice(client, order_path, id=placed.id, headers=ALICE) == placed
    mine = cached_twice(client, "/orders", status=["placed"], headers=ALICE)
    assert mine == [placed]
    inventory = cached_twice(client, "/store/inventory")
    assert (inventory.pets, inventory.orders) == (1, 1)
    # 401: an order read without a token.
    client.call("get", order_path, 401, id=placed.id)
    client.call("get", "/orders", 401)
    # 404: no row has the key.
    client.call("get", pet_path, 404, id=MISSING)
    client.call("delete", pet_path, 404, id=MISSING)
    client.call("get", order_path, 404, id=MISSING, headers=ALICE)
    client.call("delete", order_path, 404, id=MISSING, headers=ALICE)
    # The statuses the document leaves out, published by the routes: a failed
    # If-Match, a current ETag, a body over MAX_BODY_BYTES (1 MiB), one said to
    # be in a content coding.
    client.call("get", pet_path, 412, headers={"if-match": '"stale"'}, id=rex.id)
    etag = client.call("get", pet_path, 200, id=rex.id).headers["etag"]
    client.call("get", pet_path, 304, headers={"if-none-match": etag}, id=rex.id)
    client.call("delete", pet_path, 412, headers={"if-match": '"stale"'}, id=rex.id)
    client.call("post", "/pets", 413, json_body={"name": "x" * 2**20})
    client.call("post", "/pets", 415, json_body={"name": "x"}, headers=GZIPPED)
    # 422: a name over maxLength, a quantity under its minimum, page 0.
    client.call("post", "/pets", 422, json_body={"name": "x" * 101})
    bad = {**order, "quantity": 0}
    client.call("post", "/orders", 422, headers=ALICE, json_body=bad)
    client.call("get", "/pets", 422, page=0)
    client.call("delete", order_path, 204, id=placed.id, headers=ALICE)
    client.call("delete", pet_path, 204, id=rex.id)
    client.call("get", pet_path, 404, id=rex.id)


def billing(client: TypedClient) -> None:
    partner_path, document_path = "/partners/{id}", "/documents/{id}"
    address = {"country_code": "HU", "post_code": "1", "city": "Pécs", "address": "-"}
    acme = {"name": "Acme Kft.", "address": address, "emails": ["a@acme.hu"]}
    partner = client.call("post", "/partners", 201, json_body=acme).parsed
    assert (partner.name, partner.address.city) == ("Acme Kft.", "Pécs")
    assert cached_twice(client, partner_path, id=partner.id) == partner
    invoice = {
        "partner_id": partner.id,
        "type": "invoice",
        "fulfillment_date": "2026-01-10",
        "due_date": "2026-01-25",
        "payment_method": "wire_transfer",
        "language": "hu",
        "currency": "HUF",
        "items": [{"product_id": 7, "quantity": 2.5}],
    }
    document = client.call("post", "/documents", 201, json_body=invoice).parsed
    assert document.partner == partner
    assert cached_twice(client, document_path, id=document.id) == document
    renamed = {**acme, "name": "Acme Zrt."}
    updated = client.call("put", partner_path, 200, id=partner.id, json_body=renamed)
    assert updated.parsed.name == "Acme Zrt."
    fresh = cached_twice(client, document_path, id=document.id)
    assert fresh.partner == updated.parsed
    # The statuses the document leaves out, published by the routes: a failed
    # If-Match, a current ETag, a body over MAX_BODY_BYTES, one said to be in a
    # content coding.
    for path, key in ((partner_path, partner.id), (document_path, document.id)):
        client.call("get", path, 412, headers={"if-match": '"stale"'}, id=key)
        etag = client.call("get", path, 200, id=key).headers["etag"]
        client.call("get", path, 304, headers={"if-none-match": etag}, id=key)
        client.call("delete", path, 412, headers={"if-match": '"stale"'}, id=key)
    client.call("post", "/partners", 413, json_body={**acme, "name": "x" * 2**20})
    client.call("post", "/partners", 415, json_body=acme, headers=GZIPPED)
    # 404: no row has the key.
    client.call("get", partner_path, 404, id=MISSING)
    client.call("put", partner_path, 404, id=MISSING, json_body=acme)
    client.call("delete", partner_path, 404, id=MISSING)
    client.call("get", document_path, 404, id=MISSING)
    client.call("delete", document_path, 404, id=MISSING)
    # 422: a name over maxLength; a partner the documents hook cannot find.
    client.call("post", "/partners", 422, json_body={**acme, "name": "x" * 256})
    client.call("put", partner_path, 422, id=partner.id, json_body={**acme, "name": 1})
    stray = {**invoice, "partner_id": MISSING}
    client.call("post", "/documents", 422, json_body=stray)
    client.call("delete", document_path, 204, id=document.id)
    client.call("delete", partner_path, 204, id=partner.id)
    client.call("get", document_path, 404, id=document.id)


# By package name: tests/test_typed_client.py checks every document has one.
SCENARIOS: dict[str, Callable[[TypedClient], None]] = {
    "bookstore": bookstore,
    "petstore": petstore,
    "store": store,
    "billing": billing,
}
