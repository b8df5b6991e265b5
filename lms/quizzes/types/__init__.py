"""Question types, one module each; the registry is ``lms.quizzes.question_types``."""
