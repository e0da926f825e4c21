"""The template helpers of earlier fastgen releases, frozen as they shipped.

``copier update`` finds a project's hand edits by rendering the template of the
release that made it, then diffing that with the project. Rendered through today's
helpers, the old template would not give back what the release wrote (imports,
column types and schemas have changed since), and the update would keep the
release's lines as if the user had written them, or conflict where nobody edited.
So each release's template (``template_history/<version>.tar.gz``) loads the
copier extension of its own release from here (``template_repo`` points its
``copier.yml`` at it). Not edited after the release, not linted, not imported by
anything but copier.
"""
