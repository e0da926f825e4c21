"""The generated deploy/kubernetes/ tree, checked without a cluster: every manifest
against the Kubernetes API schemas (kubernetes-validate), our policy rules (non-root,
read-only root, no privilege escalation, no capabilities, requests and limits, no
secret values), and the numbers it shares with the spec, docker-compose, gunicorn and
the app's shutdown."""

from __future__ import annotations

import math
import os
import re
import runpy
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from fastgen.api import new_project
from fastgen.model.deploy import DeployModel
from fastgen.spec.inputs import read_input

from .conftest import EXAMPLE, git, run_fastgen

REPO = Path(__file__).resolve().parent.parent
QUEUE = REPO / "tests" / "specs" / "queue.yaml"
PETSTORE = REPO / "examples" / "petstore.yaml"
# The newest release kubernetes-validate knows and the oldest one still maintained
# upstream when it was pinned.
KUBERNETES_VERSIONS = ("1.35.0", "1.37.0")
KUBECTL = shutil.which("kubectl")
SECRET_KEYS = ("DATABASE_URL", "REDIS_URL", "QUEUE_REDIS_URL")


@pytest.fixture(scope="module")
def queuetest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A native spec with background: queue endpoints (a worker Deployment)."""
    return new_project(QUEUE, tmp_path_factory.mktemp("k8s") / "queuetest")


@pytest.fixture(scope="module")
def petstore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An OpenAPI input whose x-fastgen has a deploy section."""
    return new_project(PETSTORE, tmp_path_factory.mktemp("k8s") / "petstore")


@pytest.fixture(params=["bookstore", "queuetest", "petstore"])
def project(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(request.param)


def kustomization(project: Path) -> dict[str, Any]:
    return yaml.safe_load(
        (project / "deploy/kubernetes/kustomization.yaml").read_text()
    )


def manifests(project: Path) -> list[dict[str, Any]]:
    """What `kubectl apply -k` sends, built as kustomize would: the listed files and
    the generated settings ConfigMap (name hashes aside)."""
    root = project / "deploy" / "kubernetes"
    spec = kustomization(project)
    found = [
        doc
        for name in spec["resources"]
        for doc in yaml.safe_load_all((root / name).read_text())
    ]
    for generator in spec["configMapGenerator"]:
        data = dict(literal.split("=", 1) for literal in generator["literals"])
        found.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": generator["name"]},
                "data": data,
            }
        )
    return found


def of_kind(project: Path, kind: str) -> list[dict[str, Any]]:
    return [doc for doc in manifests(project) if doc["kind"] == kind]


def deployment(project: Path, component: str) -> dict[str, Any]:
    (found,) = [
        doc
        for doc in of_kind(project, "Deployment")
        if doc["metadata"]["labels"]["app.kubernetes.io/component"] == component
    ]
    return found


def containers(pod: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from pod.get("initContainers", [])
    yield from pod["containers"]


def test_kustomization_lists_every_manifest(project: Path) -> None:
    root = project / "deploy" / "kubernetes"
    files = {p.name for p in root.iterdir()} - {"kustomization.yaml"}
    assert sorted(kustomization(project)["resources"]) == sorted(files)


def test_every_manifest_passes_kubernetes_validate(project: Path) -> None:
    found = manifests(project)
    kinds = sorted(doc["kind"] for doc in found)
    assert {"ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Service"} <= set(
        kinds
    )
    assert "PodDisruptionBudget" in kinds
    for version in KUBERNETES_VERSIONS:
        for doc in found:
            kubernetes_validate.validate(doc, version, strict=True)


def test_the_validator_refuses_a_broken_manifest(bookstore: Path) -> None:
    """The check above can fail: a misspelt field of a container is an error."""
    doc = deployment(bookstore, "web")
    doc["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, KUBERNETES_VERSIONS[-1], strict=True)


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
def test_kustomize_build_validates(project: Path) -> None:
    """What kustomize itself builds (hashed ConfigMap name, common labels) is valid
    and the Deployments follow the ConfigMap's hashed name."""
    built = subprocess.run(
        [str(KUBECTL), "kustomize", str(project / "deploy" / "kubernetes")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    docs = list(yaml.safe_load_all(built))
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSIONS[-1], strict=True)
    (config,) = [d for d in docs if d["kind"] == "ConfigMap"]
    for doc in docs:
        if doc["kind"] == "Deployment":
            (app, *_) = doc["spec"]["template"]["spec"]["containers"]
            ref = app["envFrom"][0]["configMapRef"]["name"]
            assert ref == config["metadata"]["name"]
            assert re.fullmatch(r"[a-z]+-settings-[a-z0-9]{10}", ref)


def test_worker_deployment_only_with_queue_endpoints(
    bookstore: Path, queuetest: Path, petstore: Path
) -> None:
    assert len(of_kind(queuetest, "Deployment")) == 2
    worker = deployment(queuetest, "worker")
    (container,) = worker["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["python", "-m", "queuetest.worker"]
    env = {e["name"]: e for e in container["env"]}
    assert env["QUEUE_REDIS_URL"]["valueFrom"]["secretKeyRef"]["key"] == "REDIS_URL"
    settings = (queuetest / "src" / "queuetest" / "settings.py").read_text()
    assert "queue_metrics_port: int = 9191" in settings
    assert container["ports"] == [{"name": "metrics", "containerPort": 9191}]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/metrics", "port": "metrics"}
    for other in (bookstore, petstore):
        assert [d["metadata"]["name"] for d in of_kind(other, "Deployment")] == [
            other.name
        ]


# --- policy: what a security review of the manifests looks for -------------------


def pod_specs(project: Path) -> Iterator[dict[str, Any]]:
    """The pods of the Deployments and of the migration Job."""
    for doc in of_kind(project, "Deployment") + of_kind(project, "Job"):
        yield doc["spec"]["template"]["spec"]


def test_pods_run_as_the_images_non_root_user(project: Path) -> None:
    dockerfile = (project / "Dockerfile").read_text()
    user = re.search(r"^USER (\d+):(\d+)$", dockerfile, re.MULTILINE)
    assert user, "the image runs as a numeric user"
    for pod in pod_specs(project):
        context = pod["securityContext"]
        assert context["runAsNonRoot"] is True
        assert (context["runAsUser"], context["runAsGroup"]) == (
            int(user[1]),
            int(user[2]),
        )
        assert context["runAsUser"] > 0
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        for flag in ("hostNetwork", "hostPID", "hostIPC"):
            assert not pod.get(flag)


def test_containers_are_locked_down(project: Path) -> None:
    for pod in pod_specs(project):
        for container in containers(pod):
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, container["name"]
            assert context["allowPrivilegeEscalation"] is False, container["name"]
            assert context["capabilities"] == {"drop": ["ALL"]}, container["name"]
            assert not context.get("privileged")
            assert "runAsUser" not in context or context["runAsUser"] > 0


def test_writable_paths_are_empty_dirs(project: Path) -> None:
    """The read-only root leaves /tmp and /dev/shm (gunicorn's heartbeats, the
    Prometheus multiprocess files) writable, as bounded emptyDir volumes."""
    for pod in pod_specs(project):
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert all(set(v) == {"name", "emptyDir"} for v in volumes.values())
        assert all(v["emptyDir"]["sizeLimit"] for v in volumes.values())
        for container in containers(pod):
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert set(mounts) == {"/tmp", "/dev/shm"}
            assert set(mounts.values()) <= set(volumes)
    conf = (project / "gunicorn.conf.py").read_text()
    assert 'worker_tmp_dir = "/dev/shm"' in conf


def test_every_container_has_requests_and_limits(project: Path) -> None:
    for pod in pod_specs(project):
        for container in containers(pod):
            resources = container["resources"]
            for kind in ("requests", "limits"):
                assert set(resources[kind]) == {"cpu", "memory"}, container["name"]


def test_no_secret_value_in_any_manifest(project: Path) -> None:
    found = manifests(project)
    assert "Secret" not in {doc["kind"] for doc in found}
    text = "\n".join(
        p.read_text() for p in (project / "deploy" / "kubernetes").iterdir()
    )
    assert not re.search(r"[a-z+]+://[^\s\"']*@", text), "a URL with credentials"
    config = {k for d in of_kind(project, "ConfigMap") for k in d["data"]}
    assert not config & set(SECRET_KEYS)
    for pod in pod_specs(project):
        for container in containers(pod):
            env = {e["name"]: e for e in container["env"]}
            assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
                "name": project.name,
                "key": "DATABASE_URL",
            }
            for name in set(env) & set(SECRET_KEYS):
                assert "value" not in env[name]
                assert env[name]["valueFrom"]["secretKeyRef"]["name"] == project.name


def test_images_are_pinned_by_the_kustomization(project: Path) -> None:
    (image,) = kustomization(project)["images"]
    assert image["name"] == project.name
    assert image["newTag"] and image["newTag"] != "latest"
    for pod in pod_specs(project):
        assert {c["image"] for c in containers(pod)} == {project.name}


# --- what the manifests share with the app, gunicorn, compose and the spec ---------


def test_probes_map_to_the_apps_health_routes(project: Path) -> None:
    (app,) = deployment(project, "web")["spec"]["template"]["spec"]["containers"]
    assert app["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert app["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert app["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert app["ports"] == [{"name": "http", "containerPort": 8000}]
    (service,) = of_kind(project, "Service")
    assert service["spec"]["ports"][0]["targetPort"] == "http"


def gunicorn_setting(project: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(project / ".metrics"))
    return runpy.run_path(str(project / "gunicorn.conf.py"))[name]


def drain_seconds(project: Path) -> float:
    settings = (project / "src" / project.name / "settings.py").read_text()
    found = re.search(r"shutdown_drain_seconds: float = ([\d.]+)", settings)
    assert found
    return float(found[1])


def test_grace_period_covers_the_drain_and_gunicorns_graceful_timeout(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graceful = gunicorn_setting(project, "graceful_timeout", monkeypatch)
    pod = deployment(project, "web")["spec"]["template"]["spec"]
    drain = drain_seconds(project)
    assert pod["terminationGracePeriodSeconds"] == drain + graceful
    (config,) = of_kind(project, "ConfigMap")
    assert float(config["data"]["SHUTDOWN_DRAIN_SECONDS"]) == drain
    # The app keeps serving through the drain, so no preStop sleep is needed.
    assert all("lifecycle" not in c for c in containers(pod))


def test_worker_grace_period_covers_its_shutdown_wait(queuetest: Path) -> None:
    settings = (queuetest / "src" / "queuetest" / "settings.py").read_text()
    wait = re.search(r"queue_shutdown_wait: int = (\d+)", settings)
    assert wait
    pod = deployment(queuetest, "worker")["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > int(wait[1])


def test_a_job_migrates_each_release(project: Path) -> None:
    """A Job runs the migrations once per apply and removes itself when done, so
    the next release's apply can create it with the new image."""
    (job,) = of_kind(project, "Job")
    assert kustomization(project)["resources"][0] == "migrate-job.yaml"
    spec = job["spec"]
    assert spec["ttlSecondsAfterFinished"] == 0
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    (container,) = pod["containers"]
    assert container["command"] == ["alembic", "upgrade", "head"]
    assert [e["name"] for e in container["env"]] == ["DATABASE_URL"]  # nothing more


def test_migrations_run_before_the_app_starts(project: Path) -> None:
    """Every pod's init container takes the migrations' lock: it waits while the
    Job migrates, then finds the schema at head (or migrates without the Job)."""
    for doc in of_kind(project, "Deployment"):
        pod = doc["spec"]["template"]["spec"]
        (init,) = pod["initContainers"]
        assert init["command"] == ["alembic", "upgrade", "head"]
        assert [e["name"] for e in init["env"]] == ["DATABASE_URL"]  # nothing more
    strategy = deployment(project, "web")["spec"]["strategy"]
    assert strategy["rollingUpdate"]["maxUnavailable"] == 0
    env = (project / "migrations" / "env.py").read_text()
    assert "pg_advisory_lock" in env and "take_migration_lock(connection)" in env


CASES = {
    # project: (replicas, cpu limit, memory, min, max, target %)
    "bookstore": (2, "1", "512Mi", 2, 8, 70),
    "queuetest": (2, "1", "512Mi", 2, 10, 70),  # the defaults
    "petstore": (3, "500m", "1Gi", 3, 12, 70),
}


def test_numbers_follow_the_deploy_section(
    project: Path, request: pytest.FixtureRequest
) -> None:
    replicas, cpu, memory, low, high, target = CASES[project.name]
    web = deployment(project, "web")
    assert "replicas" not in web["spec"], "the autoscaler owns the replica count"
    for pod in pod_specs(project):
        for container in containers(pod):
            resources = container["resources"]
            assert resources["limits"] == {"cpu": cpu, "memory": memory}
            assert resources["requests"] == resources["limits"]
    (hpa,) = of_kind(project, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == web["metadata"]["name"]
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (low, high)
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["target"]["averageUtilization"] == target
    compose = yaml.safe_load((project / "docker-compose.yml").read_text())
    app = compose["services"]["app"]["deploy"]
    assert app["replicas"] == replicas
    assert app["resources"]["limits"]["memory"] == memory[:-1].lower()
    assert float(app["resources"]["limits"]["cpus"]) == millicores(cpu) / 1000


def millicores(quantity: str) -> int:
    return int(quantity[:-1]) if quantity.endswith("m") else int(quantity) * 1000


def test_gunicorn_workers_follow_the_manifests_cpu_limit(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The kubelet writes a CPU limit into the container's cgroup as a quota per
    100 ms period; gunicorn.conf.py reads it back as its number of workers."""
    (app,) = deployment(project, "web")["spec"]["template"]["spec"]["containers"]
    limit = millicores(app["resources"]["limits"]["cpu"])
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text(f"{limit * 100} 100000\n")
    cpu_limit = gunicorn_setting(project, "cpu_limit", monkeypatch)
    usable = len(os.sched_getaffinity(0))
    assert cpu_limit(cpu_max) == min(usable, math.ceil(limit / 1000))


def test_both_inputs_compile_deploy_to_the_same_model(tmp_path: Path) -> None:
    """fastgen.yaml's deploy: and the root x-fastgen's deploy: are one model."""
    document = yaml.safe_load(PETSTORE.read_text())
    section = document["x-fastgen"]["deploy"]
    native = tmp_path / "fastgen.yaml"
    native.write_text(
        yaml.safe_dump(
            {"fastgen": 1, "service": {"name": "petstore"}, "deploy": section}
        )
    )
    _, from_openapi = read_input(PETSTORE)
    _, from_native = read_input(native)
    assert (
        from_openapi.deploy
        == from_native.deploy
        == DeployModel(
            replicas=3,
            cpu_millis=500,
            memory="1Gi",
            worker_replicas=1,
            min_replicas=3,
            max_replicas=12,
            target_cpu_percent=70,
        )
    )


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} in {path}"
    path.write_text(text.replace(old, new))


def test_update_merges_the_manifests_and_keeps_edits(tmp_path: Path) -> None:
    """A team edits the manifests; a later change of deploy: is merged into them
    three ways, like every generated file."""
    project = new_project(EXAMPLE, tmp_path / "bookstore")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    kube = project / "deploy" / "kubernetes"
    replace(
        kube / "deployment.yaml",
        "    spec:\n      # Shutdown,",
        "    spec:\n      nodeSelector:\n        pool: web\n      # Shutdown,",
    )
    replace(kube / "kustomization.yaml", "# namespace: bookstore", "namespace: shop")
    git(project, "commit", "-qam", "our cluster")
    replace(project / "fastgen.yaml", "  memory: 512Mi", "  memory: 1Gi")
    replace(project / "fastgen.yaml", "max_replicas: 8", "max_replicas: 12")
    git(project, "commit", "-qam", "bigger replicas")

    result = run_fastgen("update", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not git(project, "diff", "--name-only", "--diff-filter=U")
    web = deployment(project, "web")["spec"]["template"]["spec"]
    assert web["nodeSelector"] == {"pool": "web"}
    assert all(
        c["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}
        for c in containers(web)
    )
    assert kustomization(project)["namespace"] == "shop"
    (hpa,) = of_kind(project, "HorizontalPodAutoscaler")
    assert hpa["spec"]["maxReplicas"] == 12
    compose = yaml.safe_load((project / "docker-compose.yml").read_text())
    assert compose["services"]["app"]["deploy"]["resources"]["limits"]["memory"] == (
        "1g"
    )
