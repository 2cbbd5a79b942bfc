# The English interface keeps the Vietnamese conventions of the data (dd/mm/yyyy, 61.491, 8,9%).
from grassroots.formats.vi.formats import *  # noqa: F403
