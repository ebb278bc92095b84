{{/* Names and labels. */}}
{{- define "netbackup-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "netbackup-exporter.fullname" -}}
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

{{- define "netbackup-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "netbackup-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "netbackup-exporter.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "netbackup-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels of the Prometheus Operator objects: the chart's, plus those a Prometheus selects on. */}}
{{- define "netbackup-exporter.monitoringLabels" -}}
{{ include "netbackup-exporter.labels" . }}
{{- with .Values.prometheusOperator.labels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Where the pod mounts what it reads. */}}
{{- define "netbackup-exporter.configDir" -}}/etc/netbackup_exporter/config{{- end }}
{{- define "netbackup-exporter.credentialsDir" -}}/etc/netbackup_exporter/credentials{{- end }}
{{- define "netbackup-exporter.webDir" -}}/etc/netbackup_exporter/web{{- end }}

{{- define "netbackup-exporter.configMapName" -}}
{{- .Values.configMap.existing | default (include "netbackup-exporter.fullname" .) }}
{{- end }}

{{- define "netbackup-exporter.sharded" -}}
{{- if gt (int .Values.replicas) 1 }}true{{ end }}
{{- end }}

{{/* The https scheme of the exporter's endpoints, as the operator's CRDs spell it. */}}
{{- define "netbackup-exporter.scheme" -}}
{{- if .Values.webConfig.tls }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}

{{/* The Service's DNS name, as Prometheus reaches it from any namespace. */}}
{{- define "netbackup-exporter.serviceHost" -}}
{{- printf "%s.%s.svc.%s" (include "netbackup-exporter.fullname" .) .Release.Namespace .Values.clusterDomain }}
{{- end }}

{{/* A module name as part of a Kubernetes object name. */}}
{{- define "netbackup-exporter.objectSuffix" -}}
{{- regexReplaceAll "[^a-z0-9-]" (lower .) "-" | trunc 40 | trimAll "-" }}
{{- end }}

{{/*
The modules, checked: names usable as file names, exactly one credential Secret each, no
credential among the settings. Returns nothing; fails the render with the module and the reason.
*/}}
{{- define "netbackup-exporter.checkModules" -}}
{{- if not .Values.modules }}
{{- fail "modules: at least one module is needed" }}
{{- end }}
{{- $suffixes := dict }}
{{- range $name, $m := .Values.modules }}
{{- if not (regexMatch "^[A-Za-z0-9_][A-Za-z0-9_.-]*$" $name) }}
{{- fail (printf "modules.%s: a module name may hold letters, digits, '_', '.' and '-' only (it names mounted files)" $name) }}
{{- end }}
{{- $suffix := include "netbackup-exporter.objectSuffix" $name }}
{{- if hasKey $suffixes $suffix }}
{{- fail (printf "modules.%s and modules.%s would name the same Probe (%s)" (get $suffixes $suffix) $name $suffix) }}
{{- end }}
{{- $_ := set $suffixes $suffix $name }}
{{- $settings := $m.settings | default dict }}
{{- range $k := list "api_key" "api_key_file" "api_key_env" "password" "password_file" "password_env" }}
{{- if hasKey $settings $k }}
{{- fail (printf "modules.%s.settings.%s: credentials come from a Secret (apiKeySecret or passwordSecret), never from the ConfigMap" $name $k) }}
{{- end }}
{{- end }}
{{- if hasKey ($settings.tls_config | default dict) "key" }}
{{- fail (printf "modules.%s.settings.tls_config.key: a private key would be written into the ConfigMap; mount it from a Secret (extraVolumes) and name it in key_file" $name) }}
{{- end }}
{{- if and $m.apiKeySecret $m.passwordSecret }}
{{- fail (printf "modules.%s: set apiKeySecret or passwordSecret, not both" $name) }}
{{- end }}
{{- if not (or $m.apiKeySecret $m.passwordSecret) }}
{{- fail (printf "modules.%s: set apiKeySecret (an API key) or passwordSecret with settings.username (a login)" $name) }}
{{- end }}
{{- with $m.apiKeySecret }}
{{- if not (and .name .key) }}
{{- fail (printf "modules.%s.apiKeySecret: name and key are required" $name) }}
{{- end }}
{{- end }}
{{- with $m.passwordSecret }}
{{- if not (and .name .key) }}
{{- fail (printf "modules.%s.passwordSecret: name and key are required" $name) }}
{{- end }}
{{- if not $settings.username }}
{{- fail (printf "modules.%s: passwordSecret needs settings.username" $name) }}
{{- end }}
{{- end }}
{{- with $m.ca }}
{{- if or (not .key) (not (or .configMap .secret)) (and .configMap .secret) }}
{{- fail (printf "modules.%s.ca: key and one of configMap or secret are required" $name) }}
{{- end }}
{{- if or (hasKey ($settings.tls_config | default dict) "ca_file") (hasKey ($settings.tls_config | default dict) "ca") }}
{{- fail (printf "modules.%s: ca and settings.tls_config.ca_file/ca both name a CA" $name) }}
{{- end }}
{{- end }}
{{- if and (not (include "netbackup-exporter.sharded" $)) $.Values.prometheusOperator.probes.enabled (not $m.targets) }}
{{- fail (printf "modules.%s.targets: a Probe needs at least one primary" $name) }}
{{- end }}
{{- end }}
{{- end }}

{{/* The mounted file names of a module's credential and CA. */}}
{{- define "netbackup-exporter.apiKeyFile" -}}{{ include "netbackup-exporter.credentialsDir" .root }}/{{ .name }}.api-key{{- end }}
{{- define "netbackup-exporter.passwordFile" -}}{{ include "netbackup-exporter.credentialsDir" .root }}/{{ .name }}.password{{- end }}
{{- define "netbackup-exporter.caFile" -}}{{ include "netbackup-exporter.credentialsDir" .root }}/{{ .name }}.ca.pem{{- end }}

{{/* modules.yml: each module's settings, with the paths of the mounted credential and CA. */}}
{{- define "netbackup-exporter.modulesYAML" -}}
{{- $modules := dict }}
{{- range $name, $m := .Values.modules }}
{{- $settings := deepCopy ($m.settings | default dict) }}
{{- $ctx := dict "root" $ "name" $name }}
{{- if $m.apiKeySecret }}
{{- $_ := set $settings "api_key_file" (include "netbackup-exporter.apiKeyFile" $ctx) }}
{{- else }}
{{- $_ := set $settings "password_file" (include "netbackup-exporter.passwordFile" $ctx) }}
{{- end }}
{{- if $m.ca }}
{{- $tls := $settings.tls_config | default dict }}
{{- $_ := set $tls "ca_file" (include "netbackup-exporter.caFile" $ctx) }}
{{- $_ := set $settings "tls_config" $tls }}
{{- end }}
{{- $_ := set $modules $name $settings }}
{{- end }}
{{- toYaml (dict "modules" $modules) }}
{{- end }}

{{/* The projected volume's sources: each module's credential and CA, flat in one directory. */}}
{{- define "netbackup-exporter.credentialSources" -}}
{{- range $name, $m := .Values.modules }}
{{- with $m.apiKeySecret }}
- secret:
    name: {{ .name }}
    items:
      - key: {{ .key | quote }}
        path: {{ printf "%s.api-key" $name | quote }}
{{- end }}
{{- with $m.passwordSecret }}
- secret:
    name: {{ .name }}
    items:
      - key: {{ .key | quote }}
        path: {{ printf "%s.password" $name | quote }}
{{- end }}
{{- with $m.ca }}
{{- if .configMap }}
- configMap:
    name: {{ .configMap }}
{{- else }}
- secret:
    name: {{ .secret }}
{{- end }}
    items:
      - key: {{ .key | quote }}
        path: {{ printf "%s.ca.pem" $name | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* The kubelet's check of one endpoint: GET it, or a TCP connect where basic auth would refuse the GET. */}}
{{- define "netbackup-exporter.check" -}}
{{- if .root.Values.webConfig.basicAuth }}
tcpSocket:
  port: http
{{- else }}
httpGet:
  path: {{ .path }}
  port: http
  scheme: {{ include "netbackup-exporter.scheme" .root }}
{{- end }}
{{- end }}

{{/* The pod, the same for the Deployment and the StatefulSet. */}}
{{- define "netbackup-exporter.podTemplate" -}}
metadata:
  labels:
    {{- include "netbackup-exporter.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with .Values.serviceAccountName }}
  serviceAccountName: {{ . }}
  {{- end }}
  automountServiceAccountToken: false
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  containers:
    - name: netbackup-exporter
      {{- if .Values.image.digest }}
      image: "{{ .Values.image.repository }}@{{ .Values.image.digest }}"
      {{- else }}
      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
      {{- end }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        - --config.file={{ include "netbackup-exporter.configDir" . }}/{{ .Values.configMap.key }}
        - --web.listen-address=:{{ .Values.port }}
        {{- if .Values.webConfig.secretName }}
        - --web.config.file={{ include "netbackup-exporter.webDir" . }}/{{ .Values.webConfig.key }}
        {{- end }}
        {{- with .Values.extraArgs }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.extraEnv }}
      env:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - name: http
          containerPort: {{ .Values.port }}
          protocol: TCP
      livenessProbe:
        {{- include "netbackup-exporter.check" (dict "root" . "path" "/-/healthy") | trim | nindent 8 }}
        {{- toYaml .Values.livenessProbe | nindent 8 }}
      readinessProbe:
        {{- include "netbackup-exporter.check" (dict "root" . "path" "/-/ready") | trim | nindent 8 }}
        {{- toYaml .Values.readinessProbe | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      # Whole directories, never subPath: the kubelet updates a ConfigMap or Secret volume by
      # swapping its ..data symlink, which the exporter's config watch follows.
      volumeMounts:
        - name: config
          mountPath: {{ include "netbackup-exporter.configDir" . }}
          readOnly: true
        - name: credentials
          mountPath: {{ include "netbackup-exporter.credentialsDir" . }}
          readOnly: true
        {{- if .Values.webConfig.secretName }}
        - name: web-config
          mountPath: {{ include "netbackup-exporter.webDir" . }}
          readOnly: true
        {{- end }}
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "netbackup-exporter.configMapName" . }}
        items:
          - key: {{ .Values.configMap.key | quote }}
            path: {{ .Values.configMap.key | quote }}
    - name: credentials
      projected:
        # 0440: the exporter reads them through the pod's fsGroup.
        defaultMode: 288
        sources:
          {{- include "netbackup-exporter.credentialSources" . | trim | nindent 10 }}
    {{- if .Values.webConfig.secretName }}
    - name: web-config
      secret:
        secretName: {{ .Values.webConfig.secretName }}
        defaultMode: 288
    {{- end }}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* The endpoint settings shared by the Probes, the ScrapeConfig and the ServiceMonitor. */}}
{{- define "netbackup-exporter.scrapeAuth" -}}
{{- with .Values.prometheusOperator.tlsConfig }}
tlsConfig:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.prometheusOperator.basicAuth }}
basicAuth:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
