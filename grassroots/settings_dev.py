"""Development and test settings: the production settings with DEBUG on (issue 20 §15).

Production is the default of `grassroots.settings`; development opts in here (pytest's
DJANGO_SETTINGS_MODULE) or with DEBUG=1 in the environment (dev.py start / test). A SECRET_KEY is
then generated into GRASSROOTS_VAR_DIR on first use.
"""

import os

os.environ.setdefault("DEBUG", "1")

from grassroots.settings import *  # noqa: E402, F403
