"""Errors a user can cause. The CLI turns each into one line on stderr and exit code 2."""

from __future__ import annotations


class NlpCoderError(Exception):
    """Base class for every error caused by user input (files, configs, options)."""


class InputError(NlpCoderError):
    """A treaty, sheet or other input file cannot be read or is unusable."""


class ConfigError(NlpCoderError):
    """A config file (codebook, lexicon, model config) is missing or invalid."""


class SheetError(NlpCoderError):
    """A coding sheet cannot be parsed."""


class LanguageError(InputError):
    """The treaty text is not in a language the drafter supports."""
