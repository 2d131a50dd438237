package main

// Chart loading: Chart.yaml as .Chart (keys capitalised the way Helm's
// Metadata struct names them), and every non-template file as .Files.

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// chartKeyNames maps Chart.yaml keys whose Go field name is not simply the
// key with its first letter upper-cased.
var chartKeyNames = map[string]string{"apiVersion": "APIVersion"}

// chartMetadata turns Chart.yaml into the map templates see as .Chart.
func chartMetadata(chartDir string) (map[string]interface{}, error) {
	raw, err := readYAMLMap(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	for k, v := range raw {
		name, ok := chartKeyNames[k]
		if !ok {
			name = strings.ToUpper(k[:1]) + k[1:]
		}
		out[name] = v
	}
	return out, nil
}

// Files is .Files: chart files outside templates/, keyed by slash path.
type Files map[string][]byte

// Get returns a file's content as a string, "" when absent (as Helm does).
func (f Files) Get(name string) string { return string(f[name]) }

// GetBytes returns a file's content as bytes.
func (f Files) GetBytes(name string) []byte { return f[name] }

// Lines returns a file's lines.
func (f Files) Lines(name string) []string {
	s := strings.TrimSuffix(string(f[name]), "\n")
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

// Glob returns the subset of files whose path matches a shell pattern.
func (f Files) Glob(pattern string) Files {
	out := Files{}
	for k, v := range f {
		if ok, _ := path.Match(pattern, k); ok {
			out[k] = v
		}
	}
	return out
}

// chartFile is one file of the chart as read from disk.
type chartFile struct {
	rel  string // slash path relative to the chart dir
	data []byte
}

// loadChartFiles reads the chart, returning templates and other files apart.
// Like Helm's loader, Chart.yaml, values files and the schema are not .Files;
// ci/ is excluded too since the chart's .helmignore lists it.
func loadChartFiles(chartDir string) (templates []chartFile, files Files, err error) {
	files = Files{}
	err = filepath.WalkDir(chartDir, func(p string, d os.DirEntry, walkErr error) error {
		if walkErr != nil {
			return walkErr
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(chartDir, p)
		rel = filepath.ToSlash(rel)
		data, rerr := os.ReadFile(p)
		if rerr != nil {
			return rerr
		}
		switch {
		case strings.HasPrefix(rel, "templates/"):
			templates = append(templates, chartFile{rel: rel, data: data})
		case rel == "Chart.yaml" || rel == "values.yaml" || rel == "values.schema.json" ||
			rel == ".helmignore" || strings.HasPrefix(rel, "ci/") || strings.HasPrefix(rel, "charts/"):
		default:
			files[rel] = data
		}
		return nil
	})
	sort.Slice(templates, func(i, j int) bool { return templates[i].rel < templates[j].rel })
	return templates, files, err
}
