"""The write path: one `Library` per process ingests and removes documents under the write lock and
journal (library.journal); `library.check` compares and repairs the stores."""

from library.library import Library, Outcome, document_row, find_pdfs, stored_report

__all__ = ["Library", "Outcome", "document_row", "find_pdfs", "stored_report"]
