from services.customer.main import run

run()
