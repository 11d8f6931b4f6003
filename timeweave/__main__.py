from timeweave.cli import app

app(prog_name="timeweave")
