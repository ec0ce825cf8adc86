"""jianguan (监管): risk-based market supervision for market regulation bureaus."""
