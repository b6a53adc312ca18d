"""Procurement end to end: the typed questionnaire a vendor fills (XLSX, fillable PDF), reading the
answers back into a declaration, and the comparison of several bidders.

Data flows one way: `questions` (typed questions from the catalog and the declaration model) ->
`workbook` / `pdfform` (write the questionnaire, read the answers) -> `answers` (check the answers and
build the declaration) -> `evaluate` as for any declaration -> `compare` (matrix, coverage, ranking).
"""
