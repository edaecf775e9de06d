from finops.cli import app

app()
