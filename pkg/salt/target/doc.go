// Package target decides whether a published job is meant for this minion:
// the minion-side matchers of Salt (spec/salt-raet.md §3.3), which every
// minion runs on every publish because the RAET master sends each job to
// all available minions and lets them filter.
//
// The semantics are Salt's, including its quirks where a target written for
// a ZeroMQ minion depends on them: glob is Python's fnmatch (case
// sensitive), pcre is re.match (anchored at the start only), grain matching
// is subdict_match (case-insensitive, any member of a list grain), and a
// compound expression is evaluated with Python's boolean precedence.
//
// Two deliberate differences, both so that a person sees why a job did not
// run:
//
//   - A malformed target is an error, where Salt logs and answers False.
//     Inside a compound expression the per-word failures Salt turns into
//     False (a grain word without the delimiter, an invalid CIDR) still
//     count as False, so the expression means what it does in Salt.
//   - Regular expressions are Python syntax translated to Go's RE2;
//     constructs RE2 cannot run (lookaround, backreferences) are errors
//     rather than different matches. In grain_pcre the pattern is applied
//     case-insensitively with the (?i) flag, where Salt lowercases the
//     pattern text and so turns `\D` into `\d`.
package target
