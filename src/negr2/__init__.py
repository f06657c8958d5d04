"""negr2: when, and why, does a regression model score a negative test R²?

The package holds all the logic of the workflow; the Snakemake scripts in
``workflow/scripts`` only read their inputs, call one function from here and
write their outputs. Importing ``negr2`` is cheap: modules that need
scikit-learn, pandas or MLflow import them themselves.
"""

__version__ = "0.1.0"

#: The layout of results/<study>/: bumped whenever a table's columns or the files
#: change, so that a results folder written by an older version is refused, not mixed.
RESULTS_FORMAT = 3
