"""``python -m vlr`` and the ``vlr`` script: the library's commands (``info``, ``tune``,
``warm``: :mod:`vlr.commands`) run without the study harness; every other command is the
study's (:mod:`vlr.study.cli`)."""
import sys

from .commands import LIBRARY_COMMANDS


def main(argv=None):
    """Run the ``vlr`` command line (``argv``: the arguments after ``vlr``; default sys.argv).

    Returns
    -------
    int
        The exit status.
    """
    given = sys.argv[1:] if argv is None else list(argv)
    if given and given[0] in LIBRARY_COMMANDS:
        from .commands import main as library_main
        return library_main(given)
    from .study.cli import main as study_main  # the study's commands, and `vlr --help`
    return study_main(given)


if __name__ == "__main__":
    sys.exit(main())
