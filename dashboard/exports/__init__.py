"""Documents made from the figures: sentences, the forum presentation and its deck, the signed
statement (PDF), the report pack (XLSX), the monthly digest (e-mail), chart images."""
