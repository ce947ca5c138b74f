"""ipywidgets views of the workbook (core widgets only, so they also run in Voila)."""
