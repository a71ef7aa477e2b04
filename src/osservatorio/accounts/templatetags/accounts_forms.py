"""Form fields in the Bootstrap Italia markup, with their errors and help tied to the input for screen
readers (aria-describedby, aria-invalid)."""

from django import template

register = template.Library()

CONTROL_CLASS = {"checkbox": "form-check-input", "select": "form-select"}


@register.simple_tag
def bi_widget(field):
    classes = [CONTROL_CLASS.get(field.widget_type, "form-control")]
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    attrs = {}
    if field.errors:
        classes.append("is-invalid")
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if field.field.required:
        attrs["required"] = True
    attrs["class"] = " ".join(classes)
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)
