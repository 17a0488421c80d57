from services.pullers.main import run

run()
