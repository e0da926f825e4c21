from fastgen.cli import app

app()
