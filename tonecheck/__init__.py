"""tonecheck: offline speech-tone analysis for telephone practice calls.

Public API
----------
analyze_file
    Load a recording and measure it -> :class:`Analysis`.
analyze
    Measure an already loaded :class:`Audio` -> :class:`Analysis`.
load_audio
    Read any supported recording into an analysis-rate mono :class:`Audio`.
Analysis
    The one result type every renderer consumes.
TonecheckError
    Raised for input tonecheck cannot analyze; the message names the file,
    the problem and the fix.
"""

__version__ = "0.1.0"

__all__ = ["analyze_file", "analyze", "load_audio", "Analysis", "Audio", "TonecheckError", "__version__"]


def __getattr__(name):  # lazy exports keep `import tonecheck` cheap
    if name in ("analyze_file", "analyze", "Analysis"):
        from . import analysis

        return getattr(analysis, name)
    if name in ("load_audio", "Audio"):
        from . import audio

        return getattr(audio, name)
    if name == "TonecheckError":
        from .errors import TonecheckError

        return TonecheckError
    raise AttributeError(name)
