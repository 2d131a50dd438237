{{/* Names and labels, as `helm create` lays them out. */}}
{{- define "realmgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "realmgate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "realmgate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "realmgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "realmgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "realmgate.labels" -}}
helm.sh/chart: {{ include "realmgate.chart" . }}
{{ include "realmgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The `helm test` pod's labels: the chart's common labels but NOT the selector labels, so the
Services, the PodDisruptionBudget, the NetworkPolicy and the Pod/ServiceMonitors never select it
(it would count as a workload pod, receive client traffic, and be fenced in by the policy).
*/}}
{{- define "realmgate.testSelectorLabels" -}}
app.kubernetes.io/name: {{ include "realmgate.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: helm-test
{{- end }}

{{- define "realmgate.testLabels" -}}
helm.sh/chart: {{ include "realmgate.chart" . }}
{{ include "realmgate.testSelectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "realmgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "realmgate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* realmgate's ports, read from its config so Service, probes and config never disagree. */}}
{{- define "realmgate.listenPort" -}}
{{- $c := .Values.realmgate.config | default dict }}
{{- (get ($c.listen | default dict) "port") | default 8080 | int }}
{{- end }}

{{- define "realmgate.adminPort" -}}
{{- $c := .Values.realmgate.config | default dict }}
{{- (get ($c.admin | default dict) "port") | default 9090 | int }}
{{- end }}

{{/* Seconds realmgate needs to stop: shutdown.delayMs + shutdown.drainTimeoutMs, rounded up. */}}
{{- define "realmgate.drainSeconds" -}}
{{- $s := (.Values.realmgate.config | default dict).shutdown | default dict }}
{{- $delay := hasKey $s "delayMs" | ternary $s.delayMs 5000 | int }}
{{- $drain := hasKey $s "drainTimeoutMs" | ternary $s.drainTimeoutMs 30000 | int }}
{{- div (add $delay $drain 999) 1000 }}
{{- end }}

{{/* The pod's grace period: computed, or the explicit value if it is long enough. */}}
{{- define "realmgate.terminationGrace" -}}
{{- $min := add (include "realmgate.drainSeconds" . | int) (.Values.terminationGraceMarginSeconds | int) }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- $min }}
{{- else if lt (int .Values.terminationGracePeriodSeconds) (int $min) }}
{{- fail (printf "terminationGracePeriodSeconds=%v is shorter than realmgate's shutdown.delayMs + shutdown.drainTimeoutMs + terminationGraceMarginSeconds (%v s)" .Values.terminationGracePeriodSeconds $min) }}
{{- else }}
{{- .Values.terminationGracePeriodSeconds | int }}
{{- end }}
{{- end }}

{{- define "realmgate.image" -}}
{{- printf "%s:%s" .Values.realmgate.image.repository (.Values.realmgate.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
Checks that the master key wiring agrees with the config: every crossbar source's privateKeyFile
lies under masterKey.mountPath, or its privateKeyEnv names masterKey.envName, and the Secret is set.
Renders nothing; fails the render otherwise.
*/}}
{{- define "realmgate.checkMasterKey" -}}
{{- $mk := .Values.realmgate.masterKey }}
{{- $readiness := (.Values.realmgate.config | default dict).readiness | default dict }}
{{- range $i, $s := ($readiness.sources | default list) }}
{{- if eq (toString $s.type) "crossbar" }}
{{- $_ := required (printf "realmgate.masterKey.existingSecret is required: readiness.sources[%d] is a crossbar source" $i) $mk.existingSecret }}
{{- if eq $mk.mountAs "file" }}
{{- if not (hasPrefix (printf "%s/" (trimSuffix "/" $mk.mountPath)) (toString $s.privateKeyFile)) }}
{{- fail (printf "readiness.sources[%d].privateKeyFile must be a file under realmgate.masterKey.mountPath (%s/%s) when masterKey.mountAs=file" $i (trimSuffix "/" $mk.mountPath) $mk.key) }}
{{- end }}
{{- else if ne (toString $s.privateKeyEnv) (toString $mk.envName) }}
{{- fail (printf "readiness.sources[%d].privateKeyEnv must be %q when masterKey.mountAs=env" $i $mk.envName) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* The realmgate container, shared by the native (initContainers) and classic layouts. */}}
{{- define "realmgate.container" -}}
- name: realmgate
  image: {{ include "realmgate.image" . | quote }}
  imagePullPolicy: {{ .Values.realmgate.image.pullPolicy }}
  {{- if eq .Values.realmgate.sidecarMode "native" }}
  restartPolicy: Always
  {{- end }}
  args:
    - --config
    - /etc/realmgate/config.yaml
    {{- with .Values.realmgate.extraArgs }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  env:
    - name: REALMGATE_CONFIG
      value: /etc/realmgate/config.yaml
    - name: NODE_AUTHID
      {{- if .Values.realmgate.nodeAuthid }}
      value: {{ .Values.realmgate.nodeAuthid | quote }}
      {{- else }}
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
      {{- end }}
    - name: POD_NAMESPACE
      valueFrom:
        fieldRef:
          fieldPath: metadata.namespace
    {{- if and .Values.realmgate.masterKey.existingSecret (eq .Values.realmgate.masterKey.mountAs "env") }}
    - name: {{ .Values.realmgate.masterKey.envName }}
      valueFrom:
        secretKeyRef:
          name: {{ .Values.realmgate.masterKey.existingSecret }}
          key: {{ .Values.realmgate.masterKey.key }}
    {{- end }}
    {{- with .Values.realmgate.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    - name: client
      containerPort: {{ include "realmgate.listenPort" . }}
      protocol: TCP
    - name: admin
      containerPort: {{ include "realmgate.adminPort" . }}
      protocol: TCP
  startupProbe:
    httpGet:
      path: /health/live
      port: admin
    {{- toYaml .Values.realmgate.startupProbe | nindent 4 }}
  livenessProbe:
    httpGet:
      path: /health/live
      port: admin
    {{- toYaml .Values.realmgate.livenessProbe | nindent 4 }}
  readinessProbe:
    httpGet:
      path: /health/ready
      port: admin
    {{- toYaml .Values.realmgate.readinessProbe | nindent 4 }}
  resources:
    {{- toYaml .Values.realmgate.resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.containerSecurityContext | nindent 4 }}
  volumeMounts:
    - name: realmgate-config
      mountPath: /etc/realmgate
      readOnly: true
    - name: realmgate-tmp
      mountPath: /tmp
    {{- if and .Values.realmgate.masterKey.existingSecret (eq .Values.realmgate.masterKey.mountAs "file") }}
    - name: realmgate-master-key
      mountPath: {{ .Values.realmgate.masterKey.mountPath }}
      readOnly: true
    {{- end }}
{{- end }}

{{/* The Crossbar node container. */}}
{{- define "realmgate.crossbarContainer" -}}
- name: crossbar
  image: {{ printf "%s:%s" .Values.crossbar.image.repository .Values.crossbar.image.tag | quote }}
  imagePullPolicy: {{ .Values.crossbar.image.pullPolicy }}
  {{- with .Values.crossbar.command }}
  command:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.crossbar.args }}
  args:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.crossbar.env }}
  env:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.crossbar.envFrom }}
  envFrom:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  ports:
    {{- range .Values.crossbar.ports }}
    - name: {{ .name }}
      containerPort: {{ .containerPort }}
      protocol: {{ .protocol | default "TCP" }}
    {{- end }}
  {{- with .Values.crossbar.livenessProbe }}
  livenessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.crossbar.preStop.enabled }}
  lifecycle:
    preStop:
      exec:
        command:
          {{- if .Values.crossbar.preStop.command }}
          {{- toYaml .Values.crossbar.preStop.command | nindent 10 }}
          {{- else }}
          - python3
          - -c
          - {{ printf "import time, urllib.request\ntry: urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:%s/drain', method='POST'), timeout=2)\nexcept Exception: pass\ntime.sleep(%s)" (include "realmgate.adminPort" .) (include "realmgate.drainSeconds" .) | quote }}
          {{- end }}
  {{- end }}
  resources:
    {{- toYaml .Values.crossbar.resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.containerSecurityContext | nindent 4 }}
  volumeMounts:
    - name: crossbar-node
      mountPath: {{ .Values.crossbar.workdirMountPath }}
    - name: crossbar-tmp
      mountPath: /tmp
    {{- with .Values.crossbar.extraVolumeMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
