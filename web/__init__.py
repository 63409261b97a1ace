"""The web layer under app.py: the process backend, upload rules, page images, charts, HTML and CSS,
example questions. Presentation only: answers come from assistant/, documents from library/."""
