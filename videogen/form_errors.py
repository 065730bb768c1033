"""Service errors shown on forms: the one mapping from a domain error to form fields.

Services raise ``ApplicationError`` with per-field ``details`` keyed by the API's
field names; a form shows each on the field it names (through ``field_names`` when
the form calls it differently), and the error's message on the form when no field
of it is on the form.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from videogen.errors import ApplicationError


def add_service_error(form: forms.BaseForm, error: ApplicationError, *, field_names: Mapping[str, str] = {}) -> None:
    placed = False
    for key, messages in error.details.items():
        field = field_names.get(key, key)
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


class ServiceErrorsMixin:
    """Forms that show a service's ApplicationError on the fields it names.

    ``service_fields`` maps the keys services put in ``error.details`` (the API's
    camelCase names) to this form's field names.
    """

    service_fields: dict[str, str] = {}

    def add_service_error(self, error: ApplicationError) -> None:
        add_service_error(self, error, field_names=self.service_fields)
