"""How the record is shown to the rest of the suite."""

from __future__ import annotations

from services.customer.domain.customer import Customer
from shared.contracts.customers import CustomerRef, CustomerView, EmailView


def customer_view(customer: Customer) -> CustomerView:
    return CustomerView(
        id=customer.id,
        customer_number=customer.number,
        status=customer.status,
        version=customer.version,
        first_name=customer.first_name,
        last_name=customer.last_name,
        company=customer.company,
        language=customer.language,
        emails=tuple(EmailView(address=e.address, primary=e.primary) for e in customer.emails),
        phones=customer.phones,
        channels=customer.channels,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


def customer_ref(customer: Customer) -> CustomerRef:
    return CustomerRef(
        customer_id=customer.id,
        customer_number=customer.number,
        version=customer.version,
        status=customer.status,
        display_name=customer.display_name,
        primary_email=customer.primary_email,
    )
