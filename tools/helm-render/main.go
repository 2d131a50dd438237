// Command helm-render renders a Helm chart the way `helm template` does,
// without a helm binary: Go text/template + Sprig (Helm's engine), values
// merged like helm (chart values.yaml, then each -f file, then --set), and
// the built-in objects .Values, .Release, .Chart, .Capabilities, .Template and
// .Files. It prints the multi-document YAML with `# Source:` comments.
//
// Usage:
//
//	helm-render [--name N] [--namespace NS] [-f values.yaml]... [--set k=v]...
//	            [--kube-version v1.29.0] [--api-versions group/version]... [--notes] CHART_DIR
//
// Exit status 1 with the template error on stderr when rendering fails
// (e.g. a `required` or `fail` call), as helm does.
package main

import (
	"flag"
	"fmt"
	"os"
	"path"
	"strings"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// defaultAPIVersions are the built-in API groups of a plain cluster, as Helm's
// chartutil.DefaultVersionSet lists them for the versions this chart uses.
var defaultAPIVersions = []string{
	"v1", "apps/v1", "batch/v1", "policy/v1", "networking.k8s.io/v1",
	"rbac.authorization.k8s.io/v1", "autoscaling/v2", "autoscaling/v1",
	"apiextensions.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
	"storage.k8s.io/v1", "admissionregistration.k8s.io/v1", "scheduling.k8s.io/v1",
}

// KubeVersion is .Capabilities.KubeVersion.
type KubeVersion struct {
	Version    string
	Major      string
	Minor      string
	GitVersion string
}

func (k KubeVersion) String() string { return k.Version }

// APIVersions is .Capabilities.APIVersions.
type APIVersions []string

// Has tells whether a group/version (or group/version/Kind) is available.
func (a APIVersions) Has(v string) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

func parseKubeVersion(v string) (KubeVersion, error) {
	s := strings.TrimPrefix(v, "v")
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 {
		return KubeVersion{}, fmt.Errorf("--kube-version %q: want vMAJOR.MINOR[.PATCH]", v)
	}
	if len(parts) == 2 {
		s += ".0"
	}
	return KubeVersion{Version: "v" + s, Major: parts[0], Minor: parts[1], GitVersion: "v" + s}, nil
}

func run() error {
	var valueFiles, sets, apiVersions stringList
	name := flag.String("name", "release-name", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	kube := flag.String("kube-version", "v1.29.0", "Kubernetes version for .Capabilities")
	notes := flag.Bool("notes", false, "print the rendered NOTES.txt instead of the manifests")
	flag.Var(&valueFiles, "f", "values file (repeatable; later wins)")
	flag.Var(&valueFiles, "values", "values file (repeatable; later wins)")
	flag.Var(&sets, "set", "key=value override (repeatable)")
	flag.Var(&apiVersions, "api-versions", "extra API version for .Capabilities.APIVersions (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		return fmt.Errorf("want exactly one CHART_DIR argument")
	}
	chartDir := flag.Arg(0)

	chart, err := chartMetadata(chartDir)
	if err != nil {
		return err
	}
	chartName, _ := chart["Name"].(string)
	if chartName == "" {
		return fmt.Errorf("Chart.yaml has no name")
	}
	values, err := readYAMLMap(path.Join(chartDir, "values.yaml"))
	if err != nil {
		return err
	}
	for _, f := range valueFiles {
		m, err := readYAMLMap(f)
		if err != nil {
			return err
		}
		values = mergeValues(values, m)
	}
	for _, s := range sets {
		if err := applySet(values, s); err != nil {
			return err
		}
	}
	kv, err := parseKubeVersion(*kube)
	if err != nil {
		return err
	}
	templates, files, err := loadChartFiles(chartDir)
	if err != nil {
		return err
	}
	capabilities := map[string]interface{}{
		"KubeVersion": kv,
		"APIVersions": APIVersions(append(append([]string{}, defaultAPIVersions...), apiVersions...)),
	}
	release := map[string]interface{}{
		"Name": *name, "Namespace": *namespace, "Service": "Helm",
		"IsInstall": true, "IsUpgrade": false, "Revision": 1,
	}
	topFor := func(tplName string) map[string]interface{} {
		return map[string]interface{}{
			"Values":       values,
			"Release":      release,
			"Chart":        chart,
			"Capabilities": capabilities,
			"Files":        files,
			"Template":     map[string]interface{}{"Name": tplName, "BasePath": path.Join(chartName, "templates")},
		}
	}
	if *notes {
		text, err := renderNotes(chartName, templates, topFor)
		if err != nil {
			return err
		}
		fmt.Print(text)
		return nil
	}
	rendered, err := renderChart(chartName, templates, topFor)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, r := range rendered {
		body := strings.TrimSpace(r.text)
		if body == "" {
			continue // helm drops templates that render to nothing
		}
		// A template may emit several documents; each gets the Source comment.
		for _, doc := range strings.Split(body, "\n---") {
			doc = strings.TrimSpace(doc)
			if doc == "" {
				continue
			}
			fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", r.name, doc)
		}
	}
	fmt.Print(b.String())
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
