from fastgen.cli import run

run()
