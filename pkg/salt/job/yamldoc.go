package job

import "gopkg.in/yaml.v3"

// YAMLValue constructs one parsed YAML document's root as Salt's YAML loader
// (SaltYamlSafeLoader) constructs it: the same scalars, merge keys and
// duplicate-key refusal as YAMLArg's loader, without YAMLArg's rules for
// what a command-line argument keeps. It is here so that the SLS renderer
// (pkg/salt/render) reads YAML exactly as arguments are read. maxNodes
// bounds what aliases may expand the document to.
func YAMLValue(root *yaml.Node, maxNodes int) (any, error) {
	if err := checkAnchors(root, map[string]bool{}, 0); err != nil {
		return nil, err
	}
	c := constructor{budget: maxNodes}
	return c.construct(root, 0)
}
