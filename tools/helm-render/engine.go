package main

// The template engine, following Helm's pkg/engine: every template file of the
// chart parsed into one template set (so `define`s in _helpers.tpl are visible
// everywhere), Sprig's functions without env/expandenv, Helm's own additions
// (include, tpl, required, fail, toYaml, fromYaml, toJson, fromJson, lookup),
// missing keys rendering as empty, and partials (_*) and NOTES.txt parsed but
// not emitted.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"sigs.k8s.io/yaml"
)

// renderedTemplate is one emitted template: its name and text.
type renderedTemplate struct {
	name string
	text string
}

func toYAML(v interface{}) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	a := []interface{}{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func required(msg string, v interface{}) (interface{}, error) {
	if v == nil {
		return v, errors.New(msg)
	}
	if s, ok := v.(string); ok && s == "" {
		return v, errors.New(msg)
	}
	return v, nil
}

// baseFuncMap is Sprig plus Helm's functions; include and tpl are bound to the
// parsed template set afterwards, since they need it.
func baseFuncMap() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	extra := template.FuncMap{
		"toYaml":        toYAML,
		"fromYaml":      fromYAML,
		"fromYamlArray": fromYAMLArray,
		"toJson":        toJSON,
		"fromJson":      fromJSON,
		"required":      required,
		"fail":          func(msg string) (string, error) { return "", errors.New(msg) },
		"lookup": func(string, string, string, string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil
		},
		"include": func(string, interface{}) string { return "not implemented" },
		"tpl":     func(string, interface{}) interface{} { return "not implemented" },
	}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

// bindSetFuncs gives include and tpl access to the template set t.
func bindSetFuncs(t *template.Template) {
	includedNames := map[string]int{}
	t.Funcs(template.FuncMap{
		"include": func(name string, data interface{}) (string, error) {
			// Helm bounds recursion the same way, to turn a loop into an error.
			if includedNames[name] > 1000 {
				return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
			}
			includedNames[name]++
			defer func() { includedNames[name]-- }()
			var buf bytes.Buffer
			if err := t.ExecuteTemplate(&buf, name, data); err != nil {
				return "", err
			}
			return buf.String(), nil
		},
		"tpl": func(text string, vals interface{}) (string, error) {
			clone, err := t.Clone()
			if err != nil {
				return "", err
			}
			name := "tpl"
			if m, ok := vals.(map[string]interface{}); ok {
				if tm, ok := m["Template"].(map[string]interface{}); ok {
					if n, ok := tm["Name"].(string); ok {
						name = n
					}
				}
			}
			parsed, err := clone.New(name).Parse(text)
			if err != nil {
				return "", fmt.Errorf("cannot parse template %q: %w", text, err)
			}
			var buf bytes.Buffer
			if err := parsed.Execute(&buf, vals); err != nil {
				return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
			}
			return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
		},
	})
}

// renderChart parses every template of the chart into one set and executes
// the emitted ones with top-level values built by topFor.
func renderChart(chartName string, templates []chartFile, topFor func(name string) map[string]interface{}) ([]renderedTemplate, error) {
	t := template.New("gotpl").Option("missingkey=zero").Funcs(baseFuncMap())
	for _, tf := range templates {
		name := path.Join(chartName, tf.rel)
		if _, err := t.New(name).Parse(string(tf.data)); err != nil {
			return nil, fmt.Errorf("parse error in %s: %w", name, err)
		}
	}
	bindSetFuncs(t)
	var out []renderedTemplate
	for _, tf := range templates {
		base := path.Base(tf.rel)
		if strings.HasPrefix(base, "_") || strings.HasSuffix(base, "NOTES.txt") {
			continue
		}
		name := path.Join(chartName, tf.rel)
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, topFor(name)); err != nil {
			return nil, err
		}
		out = append(out, renderedTemplate{name: name, text: strings.ReplaceAll(buf.String(), "<no value>", "")})
	}
	return out, nil
}

// renderNotes renders templates/NOTES.txt alone (helm prints it after install).
func renderNotes(chartName string, templates []chartFile, topFor func(name string) map[string]interface{}) (string, error) {
	t := template.New("gotpl").Option("missingkey=zero").Funcs(baseFuncMap())
	var notes string
	for _, tf := range templates {
		name := path.Join(chartName, tf.rel)
		if _, err := t.New(name).Parse(string(tf.data)); err != nil {
			return "", fmt.Errorf("parse error in %s: %w", name, err)
		}
		if strings.HasSuffix(tf.rel, "NOTES.txt") {
			notes = name
		}
	}
	if notes == "" {
		return "", nil
	}
	bindSetFuncs(t)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, notes, topFor(notes)); err != nil {
		return "", err
	}
	return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
}
