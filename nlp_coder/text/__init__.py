"""Reading and structure: treaty files in any format to clean text, language, parts, sentences and passages."""
