from services.consent.main import run

run()
