{
  // A paragraph written over several lines, as one line (what YAML's `>-` makes of it): alert
  // descriptions read as one paragraph in every notification.
  fold(text):: std.join(' ', std.split(std.stripChars(text, '\n'), '\n')),
}
