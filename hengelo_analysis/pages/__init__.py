"""What the notebook pages show.

``chapters/<page>`` holds the helpers of one page only (a notebook imports its own, as
``hoofdstuk``); what several pages share is here: ``common`` (names, sources, verdicts by id),
``sections`` (a section as one :class:`~hengelo_analysis.pages.sections.Section`; rate against
Nederland), ``crime_series`` (rates with intervals), ``enquete`` (survey waves), ``plots`` (charts),
``maps`` (buurt maps) and ``tables`` (accessible tables, key figures).
"""
