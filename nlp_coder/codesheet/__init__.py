"""The ATOP codesheet as data: codebook, sheets and their answers, implied ATOP codes, the dataset bridge, states, dates."""
