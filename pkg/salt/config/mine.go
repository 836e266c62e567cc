package config

// MineOptions are the minion's mine options (salt.config's mine_enabled,
// mine_interval, mine_functions): what mine.update sends to the master's
// mine and how often the minion runs it.
type MineOptions struct {
	MineEnabled  bool // mine_enabled: true
	MineInterval int  // mine_interval: 60 (minutes between mine.update runs; 0 never)
	// MineFunctions is mine_functions: {} as written: alias → a list of
	// arguments (one-key mappings are keyword arguments) or a mapping of
	// keyword arguments, mine_function naming the function when the alias
	// does not (salt.utils.mine.parse_function_definition).
	MineFunctions map[string]any
}

func defaultMineOptions() MineOptions {
	return MineOptions{MineEnabled: true, MineInterval: 60, MineFunctions: map[string]any{}}
}

// decodeMine reads the mine options; mine_functions must be a mapping.
func decodeMine(d *decoder, o *MineOptions) {
	d.boolean("mine_enabled", &o.MineEnabled)
	d.integer("mine_interval", &o.MineInterval, checkNonNegative)
	f := d.lookup("mine_functions")
	if f == nil {
		return
	}
	if f.val.kind != kindMap {
		d.fail(f, f.val, "want a mapping of function: arguments, got %s", f.val.describe())
		return
	}
	o.MineFunctions = f.val.raw().(map[string]any)
}
