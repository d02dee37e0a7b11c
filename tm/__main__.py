from tm.cli import app

app(prog_name="tm")
