import sys

from sizheng_bot.cli.main import main

sys.exit(main())
