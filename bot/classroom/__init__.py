"""Prevention sessions for teachers: modules as data, sessions with pseudonymous students (docs/classroom.md)."""
