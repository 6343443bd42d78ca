from synergy_models.cli import main

raise SystemExit(main())
