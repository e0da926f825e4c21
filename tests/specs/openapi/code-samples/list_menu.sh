curl -s https://example.com/menu
