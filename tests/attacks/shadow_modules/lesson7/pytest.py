raise SystemExit('shadowed pytest imported')
