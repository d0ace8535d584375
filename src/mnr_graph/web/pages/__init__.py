"""The web pages, one module per family.

``home``, ``framework``, ``vocabulary``, ``questions``, ``country`` (each with a ``get_router()``),
and ``resource``, the page of any resource the linked-data paths give a browser. ``rendering``
(templates, error pages, the page context) and ``listings`` (the store reads several pages share)
serve them all; the pages do not import each other. Plain HTML (the stylesheet,
``static/style.css``, inlined), no external assets; ``?lang=fr`` (or ``Accept-Language``) picks the
label language, English where a label is missing.
"""

__all__: list[str] = []
