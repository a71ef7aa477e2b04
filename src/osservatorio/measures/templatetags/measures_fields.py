"""One form field with label, help and errors in Bootstrap Italia markup, built in Python.

The screening form has about a hundred fields with long option lists; rendering them through included
templates took most of the page's time, so the markup is assembled here (escaped by format_html)."""

from django import template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from ..presentation import euro, reason_label, rule_text, status_label, unit_text

register = template.Library()
register.filter("status_label", status_label)
register.filter("reason_label", reason_label)
register.filter("euro", euro)
register.filter("rule_text", rule_text)
register.filter("unit_text", unit_text)
_OPTIONS: dict[tuple, list[tuple[str, str]]] = {}


def _choices(field) -> list[tuple[str, str]]:
    """Choices with their labels translated once per form field and language (lazy labels are slow)."""
    key = (type(field.form).__name__, field.name, translation.get_language())
    found = _OPTIONS.get(key)
    if found is None or type(field.form).__name__.startswith(("Microsim", "WhatIf")):
        found = [(str(v), str(label)) for v, label in field.field.choices]
        _OPTIONS[key] = found
    return found


def _described(field, fid):
    if field.errors:
        return format_html(' aria-invalid="true" aria-describedby="{}-err"', fid)
    if field.help_text:
        return format_html(' aria-describedby="{}-help"', fid)
    return ""


def _after(field, fid):
    help_html = (
        format_html('<small class="form-text" id="{}-help">{}</small>', fid, field.help_text)
        if field.help_text
        else ""
    )
    errors = format_html_join(
        "",
        '<div class="text-danger small" id="{}-err" role="alert">{}</div>',
        ((fid, e) for e in field.errors),
    )
    return format_html("{}{}", help_html, errors)


@register.simple_tag
def render_field(field):
    fid = field.id_for_label
    kind = field.widget_type
    value = field.value()
    if kind == "checkbox":
        return format_html(
            '<div class="form-check mb-3"><input type="checkbox" name="{}" id="{}"{}{}><label for="{}">{}</label>{}</div>',
            field.html_name, fid, mark_safe(" checked") if value else "", _described(field, fid), fid, field.label,
            _after(field, fid),
        )  # fmt: skip
    if kind == "select":
        current = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, mark_safe(" selected") if v == current else "", label) for v, label in _choices(field)),
        )
        return format_html(
            '<div class="select-wrapper mb-3"><label for="{}">{}</label><select name="{}" id="{}"{}>{}</select>{}</div>',
            fid, field.label, field.html_name, fid, _described(field, fid), options, _after(field, fid),
        )  # fmt: skip
    if kind == "checkboxselectmultiple":
        return render_to_string("measures/_field.html", {"field": field})
    invalid = " is-invalid" if field.errors else ""
    if kind == "textarea":
        control = format_html(
            '<textarea name="{}" id="{}" class="form-control{}" rows="3"{}>{}</textarea>',
            field.html_name, fid, invalid, _described(field, fid), "" if value is None else value,
        )  # fmt: skip
    else:
        if kind == "date":
            shown = value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else value)
        else:
            shown = "" if value is None else value
        input_type = "date" if kind == "date" else "text"
        inputmode = format_html(' inputmode="{}"', "decimal") if kind == "number" else ""
        control = format_html(
            '<input type="{}"{} name="{}" id="{}" class="form-control{}" value="{}"{}>',
            input_type, inputmode, field.html_name, fid, invalid, shown, _described(field, fid),
        )  # fmt: skip
    return format_html(
        '<div class="form-group mb-3"><label for="{}" class="active">{}</label>{}{}</div>',
        fid,
        field.label,
        control,
        _after(field, fid),
    )
