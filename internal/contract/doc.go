// Package contract holds the contract tests of the vendor clients: each
// client of internal/netsapiens, internal/acefone, internal/fonedynamics
// and internal/cove runs against the in-process simulators of
// internal/sandbox, and every outcome class (created, exists, invalid,
// auth, retryable, uncertain) is checked against what the sandbox's ledger
// recorded. The package has no code of its own besides its tests.
package contract
