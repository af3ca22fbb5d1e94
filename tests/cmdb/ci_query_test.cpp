// Filled in by the CMDB slice in progress.
