from services.mailer.main import run

run()
