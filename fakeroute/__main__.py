"""``python -m fakeroute serve ...``"""

from .cli import main

raise SystemExit(main())
