from services.tasks.main import run

run()
