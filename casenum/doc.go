// Package casenum mints unique, human-readable case numbers such as
// CASE-20250929-1759131413832-073 for records stored under a UNIQUE column.
package casenum
