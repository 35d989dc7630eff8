# Berth lab shell. The home folder is a fresh, size-limited scratch space.
[ -z "$PS1" ] && return
shopt -s checkwinsize histappend
PS1='\[\e[1;36m\]\u@\h\[\e[0m\]:\[\e[1;34m\]\w\[\e[0m\]\$ '
alias ls='ls --color=auto' ll='ls -l' la='ls -A'
[ -r /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
