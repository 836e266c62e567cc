package job

import "github.com/saltraet/saltraet/pkg/raet/body"

// A compound command's return (Salt's _thread_multi_return) holds one
// success and one retcode per function: {"success": {fun: bool},
// "retcode": {fun: int}}. The master reads them as the job's success
// (every function succeeded) and retcode (the highest), and stores and
// fires the load as it came.

// multiSuccess reads success: a bool, or a mapping of bools that is true
// when all are; ok is false for anything else.
func multiSuccess(v any) (success, ok bool) {
	if b, isBool := v.(bool); isBool {
		return b, true
	}
	m, isMap := v.(body.Map)
	if !isMap {
		return false, false
	}
	success = true
	for _, it := range m {
		b, isBool := it.Value.(bool)
		if !isBool {
			return false, false
		}
		success = success && b
	}
	return success, true
}

// multiRetcode reads m's retcode: an integer, or a mapping of integers
// whose highest it is; ok is false for anything else.
func multiRetcode(m body.Map) (int64, bool) {
	if n, ok := m.Int("retcode"); ok {
		return n, true
	}
	rcs, isMap := m.Map("retcode")
	if !isMap {
		return 0, false
	}
	var best int64
	for i, it := range rcs {
		n, ok := rcs.Int(it.Key)
		if !ok {
			return 0, false
		}
		if i == 0 || n > best {
			best = n
		}
	}
	return best, true
}
