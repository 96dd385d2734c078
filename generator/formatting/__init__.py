"""Stage 4: the files made and formatted. ``plan.formatted`` is the entry; ``steps`` holds what
the build hands it; ``workers`` runs the slow steps in processes of their own."""
